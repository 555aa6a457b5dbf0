/** The SOQL subset the emulator understands, as a syntax tree. */
export type Literal =
  | { type: 'string'; value: string }
  | { type: 'number'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'null' }
  | { type: 'datetime'; value: string }
  | { type: 'date'; value: string };

export type CompareOp = '=' | '!=' | '<' | '>' | '<=' | '>=';

export type Condition =
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'not'; operand: Condition }
  | { kind: 'compare'; path: string[]; op: CompareOp; value: Literal }
  | { kind: 'in'; path: string[]; negated: boolean; values: Literal[] }
  | { kind: 'like'; path: string[]; pattern: string };

export type SelectItem =
  | { kind: 'field'; path: string[] }
  | { kind: 'count' }
  /** A child relationship subquery: `(SELECT LastName FROM Contacts)`; `from` is the relationship name. */
  | { kind: 'subquery'; query: SoqlQuery };

export interface OrderItem {
  path: string[];
  direction: 'ASC' | 'DESC';
  nulls: 'FIRST' | 'LAST';
}

export interface SoqlQuery {
  select: SelectItem[];
  from: string;
  where: Condition | undefined;
  orderBy: OrderItem[];
  limit: number | undefined;
  offset: number | undefined;
}
