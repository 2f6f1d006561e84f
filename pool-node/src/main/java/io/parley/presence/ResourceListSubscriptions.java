package io.parley.presence;

import io.parley.presence.pidf.Pidf;
import io.parley.presence.pidf.PresenceDocument;
import io.parley.registrar.Aors;
import io.parley.registrar.LocationStore;
import io.parley.sip.message.HeaderName;
import io.parley.sip.message.SipRequest;
import io.parley.sip.message.SipUri;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The resource list server part of the presence agent (RFC 4662): recognises list URIs, resolves
 * them through {@link ResourceLists}, and builds the members' views for one NOTIFY — each member as
 * a single {@code presence} subscription of the same watcher would see it (its rules: allowed →
 * composed document, blocked → the offline view, pending → no document). The dialogs themselves are
 * {@link PresenceAgent}'s.
 */
final class ResourceListSubscriptions {

  static final String EVENTLIST = "eventlist";

  /** Changes to members within this window after the first go into one NOTIFY. */
  static final Duration BATCH_WINDOW = Duration.ofMillis(200);

  /** Most members of one list served; more are ignored (a buddy list bigger than that is abuse). */
  static final int MAX_MEMBERS = 1_000;

  private static final java.util.regex.Pattern VALID_NAME =
      java.util.regex.Pattern.compile("list=[A-Za-z0-9._~-]{1,64}");

  private final ResourceLists lists;
  private final PresenceDocuments documents;
  private final LocationStore locations;
  private final PresenceRules rules;
  private final Clock clock;

  ResourceListSubscriptions(
      ResourceLists lists,
      PresenceDocuments documents,
      LocationStore locations,
      PresenceRules rules,
      Clock clock) {
    this.lists = lists;
    this.documents = documents;
    this.locations = locations;
    this.rules = rules;
    this.clock = clock;
  }

  /** The canonical list URI if {@code request}'s Request-URI names a list, else null. */
  static @Nullable String listUri(SipRequest request) {
    if (!(request.requestUri() instanceof SipUri sip)) {
      return null;
    }
    String name = sip.param(ResourceLists.LIST_PARAM);
    String owner = Aors.of(sip);
    if (name == null || owner == null) {
      return null;
    }
    return ResourceLists.listUri(owner, name);
  }

  /** The owner's AOR of a canonical list URI. */
  static String owner(String listUri) {
    int semi = listUri.indexOf(';');
    return semi < 0 ? listUri : listUri.substring(0, semi);
  }

  /** Whether the request lists {@code eventlist} in a Supported (or Require) header. */
  static boolean supportsEventlist(SipRequest request) {
    for (HeaderName h : List.of(HeaderName.SUPPORTED, HeaderName.REQUIRE)) {
      for (String value : request.headerValues(h)) {
        for (String tag : value.split(",")) {
          if (tag.strip().toLowerCase(Locale.ROOT).equals(EVENTLIST)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** The list's members as canonical AORs (deduplicated, at most {@link #MAX_MEMBERS}). */
  Future<Optional<List<String>>> members(String listUri, String subscriber) {
    if (!VALID_NAME.matcher(listUri.substring(listUri.indexOf(';') + 1)).matches()) {
      return Future.succeededFuture(Optional.empty());
    }
    return lists
        .members(listUri, subscriber)
        .map(
            found ->
                found.map(
                    raw -> {
                      LinkedHashSet<String> aors = new LinkedHashSet<>();
                      for (String m : raw) {
                        if (aors.size() >= MAX_MEMBERS) {
                          break;
                        }
                        aors.add(Aors.canonical(m));
                      }
                      return List.copyOf(aors);
                    }));
  }

  /** The members' states and documents for a NOTIFY to {@code watcher}, in the given order. */
  Future<List<Rlmi.Resource>> resources(
      String watcher, List<String> members, java.util.function.Function<String, String> instance) {
    List<Future<Rlmi.Resource>> each = new ArrayList<>(members.size());
    for (String m : members) {
      each.add(resource(watcher, m, instance.apply(m)));
    }
    return Future.all(each).map(all -> all.<Rlmi.Resource>list());
  }

  private Future<Rlmi.Resource> resource(String watcher, String member, String instanceId) {
    return rules
        .decide(member, watcher)
        .compose(
            access ->
                switch (access) {
                  case NO_SUCH_PRESENTITY ->
                      Future.succeededFuture(
                          new Rlmi.Resource(
                              member, instanceId, Rlmi.State.TERMINATED, "noresource", null));
                  case PENDING ->
                      Future.succeededFuture(
                          new Rlmi.Resource(member, instanceId, Rlmi.State.PENDING, null, null));
                  case BLOCK ->
                      Future.succeededFuture(
                          new Rlmi.Resource(
                              member,
                              instanceId,
                              Rlmi.State.ACTIVE,
                              null,
                              Pidf.write(PresenceDocument.offline(member))));
                  case ALLOW ->
                      documents
                          .current(member, clock.instant())
                          .compose(
                              pubs ->
                                  locations
                                      .lookup(member)
                                      .map(
                                          bindings ->
                                              new Rlmi.Resource(
                                                  member,
                                                  instanceId,
                                                  Rlmi.State.ACTIVE,
                                                  null,
                                                  Pidf.write(
                                                      PresenceComposer.compose(
                                                          member, pubs, !bindings.isEmpty())))));
                });
  }
}
