/**
 * The Arrow Flight SQL service of Oxbow: {@link io.oxbow.flight.OxbowFlightServer} (start, port,
 * close) and {@link io.oxbow.flight.OxbowServerMain}; the producer answering statements, prepared
 * statements, updates, cancellation and catalog metadata from a {@code QueryEngine}; basic
 * authentication exchanged for bearer tokens; statement handles with expiry; and the one
 * translation of Oxbow error codes into Flight status codes.
 */
package io.oxbow.flight;
