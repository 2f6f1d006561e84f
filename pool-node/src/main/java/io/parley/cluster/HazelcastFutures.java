package io.parley.cluster;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Hazelcast's asynchronous answers as Vert.x futures completing on the caller's context.
 *
 * <p>Hazelcast runs the callbacks of its futures ({@code whenComplete}, {@code exceptionally}, ...)
 * on its default async executor, which is {@code ForkJoinPool.commonPool()} only when the common
 * pool has a parallelism above 1. On a 2-CPU host it has 1, and Hazelcast then starts <em>a new
 * platform thread per callback</em>: two or three thread starts per REGISTER, which was most of a
 * standalone node's CPU (JFR: 20,723 threads started in 71 s at 50–128 REGISTER/s). Every callback
 * attached here therefore names its executor: with a Vert.x context, the completing Hazelcast
 * thread, which only hands the result over to the context (a queue offer); without one (tests,
 * scans), a virtual thread, because the caller's continuation may call Hazelcast again, which a
 * partition or response thread must not do.
 */
final class HazelcastFutures {

  /** Runs the callback on the thread completing the Hazelcast future (non-blocking only). */
  static final Executor DIRECT = Runnable::run;

  private static final Executor VIRTUAL =
      task -> Thread.ofVirtual().name("parley-hazelcast-callback").start(task);

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
          ? Future.fromCompletionStage(completedOn(stage, VIRTUAL))
          : Future.fromCompletionStage(completedOn(stage, DIRECT), context);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /**
   * A plain {@link CompletableFuture} completed by {@code stage} on {@code executor}: its own
   * non-async callbacks then run there too, not on Hazelcast's default async executor.
   */
  private static <T> CompletableFuture<T> completedOn(CompletionStage<T> stage, Executor executor) {
    CompletableFuture<T> out = new CompletableFuture<>();
    stage.whenCompleteAsync(
        (value, failure) -> {
          if (failure != null) {
            out.completeExceptionally(failure);
          } else {
            out.complete(value);
          }
        },
        executor);
    return out;
  }
}
