/** Stable error codes shared by every module and translated once at each protocol edge. */
package io.oxbow.spi.error;
