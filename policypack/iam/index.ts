export {
    parsePolicy,
    type ParseResult,
    type Statement,
    type ConditionClause,
    type PrincipalSpec,
    type PrincipalType,
    type PolicyKind,
    type SetOperator,
} from "./document";
export { evaluate, type RequestEnvelope, type Decision, type Verdict, type EvaluationKind } from "./evaluate";
