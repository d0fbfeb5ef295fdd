/** The {@code ./oxbow} command line: demo server, configured server, TPC-H data generation. */
package io.oxbow.launcher;
