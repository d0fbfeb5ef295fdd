/**
 * The connector service-provider interface: what a data source implements so the planner and the
 * engine can list, describe and read its tables as Arrow record batches.
 */
package io.oxbow.spi;
