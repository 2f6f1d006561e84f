package io.parley.model;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A provisioned SIP user as stored by the back-end.
 *
 * @param id stable numeric id (database key)
 * @param username local part of the address of record, lower-case
 * @param domain domain part of the address of record, lower-case
 * @param sipUri canonical address of record, {@code sip:username@domain}
 * @param displayName human-readable name, if any
 * @param enabled whether the user may register and authenticate
 * @param createdAt when the user was provisioned
 * @param updatedAt when the user row last changed
 */
public record UserAccount(
    long id,
    String username,
    String domain,
    String sipUri,
    @Nullable String displayName,
    boolean enabled,
    Instant createdAt,
    Instant updatedAt) {}
