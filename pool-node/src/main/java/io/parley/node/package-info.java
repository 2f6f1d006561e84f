/** Assembly of one SIP node: transport, transactions, authentication, registrar and router. */
@org.jspecify.annotations.NullMarked
package io.parley.node;
