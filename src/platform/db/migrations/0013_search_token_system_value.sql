-- The (type, code, system) index becomes (type, code, system, value), so that both token
-- indexes answer `system|value` with equality on every column. Before, with statistics that
-- did not yet know a resource type (an import's first rows of Coverage, say), the planner
-- could pick the three-column index for an identifier lookup and filter the value row by row:
-- measured on the embedded database during a 2,000-person demo load, a Coverage
-- `identifier=system|value` lookup read all 850 Coverage identifiers of that system for each
-- of 850 candidate resources (205 ms per lookup, growing with the square of the table), where
-- the four-column index is one probe. `system|` searches use the new index's prefix as before.
drop index if exists search_token_system_idx;
create index search_token_system_idx on search_token (resource_type, code, system, value);
