/**
 * Type helpers: which Arrow types the engine supports, how to create vectors of them, and the one
 * mapping between vector slots and Java values used by the engine.
 */
package io.oxbow.engine.type;
