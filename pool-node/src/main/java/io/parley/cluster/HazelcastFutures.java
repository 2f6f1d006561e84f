package io.parley.cluster;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** Hazelcast's asynchronous answers as Vert.x futures completing on the caller's context. */
final class HazelcastFutures {

  private HazelcastFutures() {}

  /** {@code call()}'s stage on the current Vert.x context (if any). */
  static <T> Future<T> async(Supplier<CompletionStage<T>> call) {
    return async(call, Vertx.currentContext());
  }

  /** Hazelcast may throw synchronously (e.g. instance not active): that becomes a failed future. */
  static <T> Future<T> async(Supplier<CompletionStage<T>> call, @Nullable Context context) {
    try {
      CompletionStage<T> stage = call.get();
      return context == null
          ? Future.fromCompletionStage(stage)
          : Future.fromCompletionStage(stage, context);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
