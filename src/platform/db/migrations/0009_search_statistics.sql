-- Extended statistics for the shared search tables. The planner assumes columns independent,
-- so it multiplies the selectivities of resource_type, code and value: on 30 Synthea patients
-- it estimated 186 rows for Observation category=laboratory where there are 3,741, chose to
-- drive `Observation?patient=X&category=laboratory` from the category and probe 3,741
-- resources (124 ms). With the most common (type, code, system, value) combinations known, it
-- drives from the patient's 810 references instead (18-25 ms; docs/benchmarks.md).
create statistics search_token_value_stats (mcv, dependencies)
  on resource_type, code, system, value from search_token;
create statistics search_reference_target_stats (mcv, dependencies)
  on resource_type, code, target_type from search_reference;
create statistics search_string_value_stats (dependencies)
  on resource_type, code, value_normalized from search_string;
analyze search_token;
analyze search_reference;
analyze search_string;
