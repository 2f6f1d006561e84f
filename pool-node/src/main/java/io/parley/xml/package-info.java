/**
 * XML parsing hardened for hostile input, shared by every document Parley reads off the network.
 */
@org.jspecify.annotations.NullMarked
package io.parley.xml;
