-- Each index table holds the values of many parameters: a value's frequency depends on
-- its parameter (and a code's on its system), which per-column statistics cannot see, so
-- the planner misjudged how many rows a search criterion selects, by a factor of ten and
-- more on skewed data. Multi-column statistics keep the common combinations and the
-- dependencies between the columns: plans, and estimated totals (_total=estimate, the
-- planner's row estimate), rest on them. ANALYZE (or autovacuum) fills them.
CREATE STATISTICS idx_token_values (mcv, dependencies) ON type, param, system, code FROM idx_token;
CREATE STATISTICS idx_string_values (mcv, dependencies) ON type, param, value FROM idx_string;
CREATE STATISTICS idx_reference_values (mcv, dependencies) ON type, param, target_type, target_id FROM idx_reference;
CREATE STATISTICS idx_uri_values (mcv, dependencies) ON type, param, value FROM idx_uri;
CREATE STATISTICS idx_quantity_values (mcv, dependencies) ON type, param, system, code FROM idx_quantity;
CREATE STATISTICS idx_composite_values (mcv, dependencies) ON type, param, p1_system, p1_code FROM idx_composite;
CREATE STATISTICS idx_date_params (mcv, dependencies) ON type, param FROM idx_date;
CREATE STATISTICS idx_number_params (mcv, dependencies) ON type, param FROM idx_number;
CREATE STATISTICS compartments_members (mcv, dependencies) ON comp_type, comp_id FROM compartments;
