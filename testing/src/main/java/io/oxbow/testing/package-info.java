/**
 * Fixtures shared by tests: a generated TPC-H warehouse, an Oxbow server on a free port, a Python
 * virtualenv with real Flight SQL clients, and DuckDB as the reference answer.
 */
package io.oxbow.testing;
