/** Operations surface of a node: admin HTTP (health, Prometheus metrics, drain) and metrics. */
@org.jspecify.annotations.NullMarked
package io.parley.ops;
