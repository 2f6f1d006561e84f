/**
 * A pool member: the inter-node SIP link over the clustered event bus, the composition root that
 * starts a member (standalone is a one-member pool), and draining.
 */
@org.jspecify.annotations.NullMarked
package io.parley.pool;
