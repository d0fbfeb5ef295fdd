/**
 * Interfaces a connector implements. Connectors are found with {@link java.util.ServiceLoader}
 * through {@link io.oxbow.spi.connector.ConnectorFactory}; column types are Arrow types, and data
 * moves as Arrow {@link org.apache.arrow.vector.VectorSchemaRoot} batches.
 */
package io.oxbow.spi.connector;
