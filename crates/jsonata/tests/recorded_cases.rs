//! Expressions taken from executions recorded against AWS (shared/conformance/cases), evaluated
//! with the same `$states.input` and variables the recorded state saw, and checked against the
//! value AWS produced (or the error text after "threw an error during evaluation. ").

mod common;

use switchback_json::{json, Json};
use switchback_jsonata::{Expression, Outcome, SimpleEnv};

/// One recorded case: (case, `$states.input`, variables, expression, expected outcome).
type Case = (
    &'static str,
    Json,
    Json,
    &'static str,
    Result<Outcome, &'static str>,
);

fn cases() -> Vec<Case> {
    let v = |j: Json| Ok(Outcome::Value(j));
    vec![
        (
            "evaluate_jsonata/test_base_map[ITEMS]",
            json!({}),
            json!({}),
            "$number(\"2\")",
            v(json!(2)),
        ),
        (
            "evaluate_jsonata/test_base_map[ITEMS_DOUBLE_QUOTES]",
            json!({}),
            json!({}),
            "$number('2')",
            v(json!(2)),
        ),
        (
            "evaluate_jsonata/test_base_map[MAX_CONCURRENCY]",
            json!({}),
            json!({}),
            "$variable := 1",
            v(json!(1)),
        ),
        (
            "evaluate_jsonata/test_base_map_from_input[ITEMS]",
            json!({"input_value": [1, 2, 3]}),
            json!({}),
            "$states.input.input_value",
            v(json!([1, 2, 3])),
        ),
        (
            "evaluate_jsonata/test_base_map_from_input[TOLERATED_FAILURE_PERCENTAGE]",
            json!({"input_value": 100}),
            json!({}),
            "$states.input.input_value",
            v(json!(100)),
        ),
        (
            "evaluate_jsonata/test_merge_with_dynamic_args",
            json!({"part1": {"hello": "world"}, "part2": {"foo": "bar"}}),
            json!({}),
            "$merge([$states.input.part1, $states.input.part2])",
            v(json!({"hello": "world", "foo": "bar"})),
        ),
        (
            "assign/test_base_cases[BASE_VAR]",
            json!({"input_value": "input_value_literal"}),
            json!({"varname": "input_value_literal"}),
            "$varname.varfield",
            Ok(Outcome::Undefined),
        ),
        (
            "assign/test_base_cases[BASE_VAR] (list item)",
            json!({"input_value": "input_value_literal"}),
            json!({"varname": "input_value_literal"}),
            "$varname",
            v(json!("input_value_literal")),
        ),
        (
            "outputdecl/test_base_cases[BASE_DIRECT_EXPR]",
            json!({"input_value": "string literal", "input_values": [1, 2, 3]}),
            json!({"var_constant_1": 1}),
            "$sum($states.input.input_values) + $var_constant_1",
            v(json!(7)),
        ),
        (
            "outputdecl/test_base_output_any_non_dict[LIST_RICH]",
            json!({"input_value": "stringliteral"}),
            json!({}),
            "true",
            v(json!(true)),
        ),
        (
            "outputdecl/test_output_in_choice[CONDITION_FALSE]",
            json!({"condition": false}),
            json!({}),
            "$states.input.condition",
            v(json!(false)),
        ),
        (
            "lambda/states_variables/test_map_catch_error[MAP_CATCH_ERROR_OUTPUT_WITH_RETRY]",
            json!(1),
            json!({}),
            "$stateError",
            Ok(Outcome::Undefined),
        ),
        (
            "scenarios/test_choice_aws_docs_scenario[CHOICE_STATE_AWS_SCENARIO_JSONATA] 0",
            json!({"type": "Private", "value": 22}),
            json!({}),
            "$not($states.input.type = 'Private')",
            v(json!(false)),
        ),
        (
            "scenarios/test_choice_aws_docs_scenario[CHOICE_STATE_AWS_SCENARIO_JSONATA] 1",
            json!({"type": "Private", "value": 22}),
            json!({}),
            "$states.input.value = 0",
            v(json!(false)),
        ),
        (
            "scenarios/test_choice_aws_docs_scenario[CHOICE_STATE_AWS_SCENARIO_JSONATA] 2",
            json!({"type": "Private", "value": 22}),
            json!({}),
            "$states.input.value >= 20 and $states.input.value < 30",
            v(json!(true)),
        ),
        (
            "scenarios/test_choice_singleton_composite[..._LITERAL_JSONATA]",
            json!({"str_value": "string literal"}),
            json!({}),
            "$states.input.str_value = \"string literal\"",
            v(json!(true)),
        ),
        (
            "scenarios/test_choice_unsorted_parameters_negative",
            json!({"result": {"done": false}}),
            json!({}),
            "$not($states.input.result.done)",
            v(json!(true)),
        ),
        (
            "scenarios/test_escape_sequence_parsing[..._ASSIGN]",
            json!({"Test\\\"\"Name\"": "Value\"\\"}),
            json!({"var": "\""}),
            "$var = '\"'",
            v(json!(true)),
        ),
        (
            "scenarios/test_escape_sequence_parsing[..._OUTPUT]",
            json!("\""),
            json!({}),
            "$states.input = '\"'",
            v(json!(true)),
        ),
        (
            "scenarios/test_fail_cause_jsonata",
            json!({"cause": "This failed to due an Exception."}),
            json!({}),
            "$states.input.cause",
            v(json!("This failed to due an Exception.")),
        ),
        (
            "scenarios/test_map_state_items_eval_jsonata_fail_function",
            json!({}),
            json!({}),
            "$fn := function($x){$x}",
            Ok(Outcome::Function),
        ),
        (
            "scenarios/test_map_state_items_eval_jsonata_fail_null",
            json!({}),
            json!({}),
            "null",
            v(json!(null)),
        ),
        (
            "scenarios/test_map_state_items_eval_jsonata_fail_object",
            json!({}),
            json!({}),
            "{'foo': 'bar'}",
            v(json!({"foo": "bar"})),
        ),
        (
            "scenarios/test_map_state_items_eval_jsonata_fail_string",
            json!({}),
            json!({}),
            "'string'",
            v(json!("string")),
        ),
        (
            "scenarios/test_map_state_items_input_array_singleton",
            json!({"items": [0]}),
            json!({}),
            "$states.input.items",
            v(json!([0])),
        ),
        (
            "scenarios/test_map_state_items_input_array_empty",
            json!({"items": []}),
            json!({}),
            "$states.input.items",
            v(json!([])),
        ),
        (
            "scenarios/test_map_state_items_input_array_mixed",
            json!({"items": [1, "two", true]}),
            json!({}),
            "$states.input.items",
            v(json!([1, "two", true])),
        ),
        (
            "scenarios/test_map_state_item_selector[MAP_STATE_ITEM_SELECTOR_JSONATA]",
            json!({}),
            json!({"ItemsVar": ["Item1", "Item2"]}),
            "$ItemsVar",
            v(json!(["Item1", "Item2"])),
        ),
        (
            "intrinsic_functions/test_math_operations_jsonata.test_math_random_seeded",
            json!({"FunctionInput": "fst"}),
            json!({}),
            "$randomSeeded($states.input.FunctionInput.fst)",
            Err("T1006: Attempted to invoke a non-function"),
        ),
    ]
}

#[test]
fn recorded_expressions() {
    for (case, input, vars, src, expected) in cases() {
        let mut env = SimpleEnv::with_input(input);
        for (k, val) in vars.as_object().unwrap() {
            env = env.with_variable(k, val.clone());
        }
        let expr = Expression::parse(src).unwrap_or_else(|e| panic!("{case}: {}", e.message));
        let got = expr.evaluate(&mut env).map_err(|e| e.message);
        let expected = expected.map_err(str::to_string);
        assert_eq!(got, expected, "{case}: {src}");
    }
}

#[test]
fn states_context_and_result_are_reachable() {
    // outputdecl/test_base_lambda[BASE_LAMBDA]: `$states.result` and `$states.context`.
    let mut env = SimpleEnv::with_input(json!({"input_value": "string literal"}));
    env.states = json!({
        "input": {"input_value": "string literal"},
        "result": {"ja_expr": 7},
        "context": {"Execution": {"Name": "exec"}, "Map": {"Item": {"Value": "Item1", "Index": 0}}}
    });
    let eval = |env: &mut SimpleEnv, s: &str| Expression::parse(s).unwrap().evaluate(env).unwrap();
    assert_eq!(
        eval(&mut env, "$states.result.ja_expr"),
        Outcome::Value(json!(7))
    );
    assert_eq!(
        eval(&mut env, "$states.context.Map.Item.Value"),
        Outcome::Value(json!("Item1"))
    );
    assert_eq!(eval(&mut env, "$states.errorOutput"), Outcome::Undefined);
}

#[test]
fn literal_strings_with_spaces_are_not_expressions() {
    // outputdecl/test_base_cases[BASE_LITERALS]: " {% states.input %} " stays a string.
    assert_eq!(
        switchback_jsonata::strip_delimiters(" {% states.input %} "),
        None
    );
    assert_eq!(
        switchback_jsonata::strip_delimiters("{% $x %}"),
        Some(" $x ")
    );
}
