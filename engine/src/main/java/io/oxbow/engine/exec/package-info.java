/**
 * Physical operators and the pipeline driver. Every operator follows one protocol ({@link
 * io.oxbow.engine.exec.Operator}) so the driver can run any chain of them without threads of their
 * own; pages carry selection vectors instead of copying filtered rows.
 */
package io.oxbow.engine.exec;
