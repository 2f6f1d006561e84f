/** SIMPLE presence: PUBLISH (RFC 3903), SUBSCRIBE/NOTIFY (RFC 6665, 3856), watcher info, rules. */
@NullMarked
package io.parley.presence;

import org.jspecify.annotations.NullMarked;
