package io.parley.xcap;

import io.parley.db.contacts.ContactEntry;
import io.parley.db.contacts.ContactGroup;
import io.parley.db.contacts.ContactListRepository;
import io.parley.presence.ResourceLists;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The lists a user edits over XCAP ({@code resource-lists}, stored in PostgreSQL) as the resource
 * lists presence subscribes to: {@code sip:alice@example.com;list=buddies} is the group named
 * {@code buddies} of alice's contact list. So the contact list a user keeps on any device is also
 * the one they subscribe to in one go.
 */
public final class StoredResourceLists implements ResourceLists {

  private final Vertx vertx;
  private final ContactListRepository contacts;

  public StoredResourceLists(Vertx vertx, ContactListRepository contacts) {
    this.vertx = vertx;
    this.contacts = contacts;
  }

  @Override
  public Future<Optional<List<String>>> members(String listUri, String subscriberAor) {
    int at = listUri.indexOf(";" + LIST_PARAM + "=");
    if (at < 0) {
      return Future.succeededFuture(Optional.empty());
    }
    String owner = listUri.substring(0, at);
    String name = listUri.substring(at + LIST_PARAM.length() + 2);
    return vertx.executeBlocking(
        () -> {
          Optional<List<ContactGroup>> groups = contacts.find(owner);
          if (groups.isEmpty()) {
            return Optional.empty();
          }
          for (ContactGroup g : groups.get()) {
            if (g.name().equals(name)) {
              List<String> members = new ArrayList<>();
              for (ContactEntry e : g.entries()) {
                members.add(e.uri());
              }
              return Optional.of(members);
            }
          }
          return Optional.empty();
        },
        false);
  }
}
