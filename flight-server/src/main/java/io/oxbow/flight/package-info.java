/**
 * The Arrow Flight SQL service: statements, prepared statements and catalog metadata over gRPC,
 * with basic authentication exchanged for bearer tokens. Errors are translated to Flight status
 * codes here and nowhere else.
 */
package io.oxbow.flight;
