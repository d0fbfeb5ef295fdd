package io.oxbow.planner;

/**
 * Who plans and where unqualified names resolve.
 *
 * @param defaultCatalog catalog of one- and two-part names, or null
 * @param defaultSchema schema of one-part names, or null
 */
public record PlannerSession(String user, String defaultCatalog, String defaultSchema) {}
