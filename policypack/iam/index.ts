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
export {
    contextLookup,
    evaluate,
    type RequestEnvelope,
    type RoleSession,
    type Decision,
    type Verdict,
    type EvaluationKind,
} from "./evaluate";
export { evaluateKeys, KeySetJudge, type KeySetRequest, type KeySetVerdict, type DenyHit } from "./evaluate-keys";
export type { KeySet } from "./key-sets";
