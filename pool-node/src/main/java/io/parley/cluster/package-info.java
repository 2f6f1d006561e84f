/** The pool's shared state on Hazelcast: cluster config, location store, membership, caches. */
@org.jspecify.annotations.NullMarked
package io.parley.cluster;
