/** SIP wire parsing: datagram parser, stream framer, limits and precise error responses. */
@org.jspecify.annotations.NullMarked
package io.parley.sip.parse;
