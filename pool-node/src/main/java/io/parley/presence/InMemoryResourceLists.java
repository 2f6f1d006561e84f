package io.parley.presence;

import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** {@link ResourceLists} in a map (tests, standalone without XCAP). */
public final class InMemoryResourceLists implements ResourceLists {

  private final Map<String, List<String>> lists = new ConcurrentHashMap<>();

  /** Sets (replaces) the members of the canonical {@code listUri}. */
  public void put(String listUri, List<String> members) {
    lists.put(listUri, List.copyOf(members));
  }

  public void remove(String listUri) {
    lists.remove(listUri);
  }

  @Override
  public Future<Optional<List<String>>> members(String listUri, String subscriberAor) {
    return Future.succeededFuture(Optional.ofNullable(lists.get(listUri)));
  }
}
