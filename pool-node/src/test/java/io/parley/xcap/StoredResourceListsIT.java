package io.parley.xcap;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.db.contacts.ContactEntry;
import io.parley.db.contacts.ContactGroup;
import io.parley.db.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The contact groups a user keeps (over XCAP) are the resource lists presence subscribes to. */
class StoredResourceListsIT {

  private static TestDatabase db;
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    db = TestDatabase.start();
    vertx = Vertx.vertx();
    db.database().users().create("alice", "example.test", null, "example.test", "pw");
    db.database()
        .contactLists()
        .replace(
            "sip:alice@example.test",
            List.of(
                new ContactGroup(
                    "buddies",
                    "Buddies",
                    List.of(
                        new ContactEntry("sip:bob@example.test", "Bob"),
                        new ContactEntry("sip:carol@example.test", null))),
                new ContactGroup("work", null, List.of())));
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    db.close();
  }

  private static Optional<List<String>> members(String listUri) throws Exception {
    Future<Optional<List<String>>> f =
        new StoredResourceLists(vertx, db.database().contactLists())
            .members(listUri, "sip:alice@example.test");
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aGroupOfTheContactListIsAResourceListInOrder() throws Exception {
    assertThat(members("sip:alice@example.test;list=buddies"))
        .contains(List.of("sip:bob@example.test", "sip:carol@example.test"));
    assertThat(members("sip:alice@example.test;list=work")).contains(List.of());
  }

  @Test
  void unknownGroupsAndUsersWithoutAListAreNoList() throws Exception {
    assertThat(members("sip:alice@example.test;list=family")).isEmpty();
    assertThat(members("sip:zoe@example.test;list=buddies")).isEmpty();
    assertThat(members("sip:alice@example.test")).isEmpty();
  }
}
