package io.parley.presence;

import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/**
 * The resource lists (RFC 4662) a user may subscribe to as one: a list URI names a list of
 * presentities. Parley's list URIs are the owner's AOR with a {@code list} URI parameter, e.g.
 * {@code sip:alice@example.com;list=buddies} (see docs/presence.md, "Resource lists"). The agent
 * checks that the subscriber owns the list before asking. Futures complete on any thread;
 * implementations never block the caller's event loop.
 */
public interface ResourceLists {

  /** The Request-URI parameter naming a list of the user in the user part. */
  String LIST_PARAM = "list";

  /**
   * The members (presentity URIs, in list order) of {@code listUri} as {@code subscriberAor} may
   * see them, or empty when there is no such list. {@code listUri} is canonical: {@code
   * sip:user@domain;list=name} (AOR lower-case, the name as sent).
   */
  Future<Optional<List<String>>> members(String listUri, String subscriberAor);

  /** No lists at all: every list subscription is answered 404. */
  static ResourceLists none() {
    return (listUri, subscriber) -> Future.succeededFuture(Optional.empty());
  }

  /** The canonical list URI of {@code ownerAor}'s list {@code name}. */
  static String listUri(String ownerAor, String name) {
    return ownerAor + ";" + LIST_PARAM + "=" + name;
  }
}
