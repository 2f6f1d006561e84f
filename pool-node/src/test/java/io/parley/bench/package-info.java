/** JMH benchmarks; run by hand (see docs/performance.md), never during the build. */
@org.jspecify.annotations.NullMarked
package io.parley.bench;
