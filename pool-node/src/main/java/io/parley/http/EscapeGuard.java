package io.parley.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;

/**
 * Answers 400 to a request whose path has a broken {@code %}-escape before it reaches a Vert.x Web
 * router: the router fails such a path while matching routes, before any failure handler of ours
 * runs, and logs it as an unhandled ERROR with a stack trace, one per request a client sends.
 */
public final class EscapeGuard {

  private EscapeGuard() {}

  /** {@code router} behind the check, as a server's request handler. */
  public static Handler<HttpServerRequest> guard(Router router) {
    return request -> {
      if (hasValidEscapes(request.path())) {
        router.handle(request);
      } else {
        request.response().setStatusCode(400).end();
      }
    };
  }

  /** Whether every {@code %} in the raw path starts a two-digit hexadecimal escape. */
  public static boolean hasValidEscapes(String rawPath) {
    for (int i = rawPath.indexOf('%'); i >= 0; i = rawPath.indexOf('%', i + 1)) {
      if (i + 2 >= rawPath.length()
          || Character.digit(rawPath.charAt(i + 1), 16) < 0
          || Character.digit(rawPath.charAt(i + 2), 16) < 0) {
        return false;
      }
    }
    return true;
  }
}
