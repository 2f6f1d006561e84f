/** The pool node's configuration file: YAML with environment substitution, validated on load. */
@org.jspecify.annotations.NullMarked
package io.parley.config;
