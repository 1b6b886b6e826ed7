export {
    parsePolicy,
    conditionKeys,
    usesConditionKey,
    PRINCIPAL_TYPES,
    type ParseResult,
    type Statement,
    type ConditionClause,
    type PrincipalSpec,
    type PrincipalType,
    type PolicyKind,
    type SetOperator,
} from "./document";
export { evaluate, type RequestEnvelope, type Decision, type Verdict, type EvaluationKind } from "./evaluate";
export { isKnownOperator } from "./conditions";
