/** `GET /sobjects` and `GET /sobjects/{Obj}/describe`, generated from the schema table. */
import { notFound } from '../errors.js';
import { type FieldDef, OBJECTS, objectSchema } from '../schema.js';
import type { ApiRoute } from './types.js';

const SOAP_TYPES: Record<string, string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  boolean: 'xsd:boolean',
  double: 'xsd:double',
  int: 'xsd:int',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
};

function describeField(field: FieldDef) {
  const writable = !field.readOnly;
  const defaulted = field.defaultValue !== undefined || field.readOnly === true;
  return {
    name: field.name,
    label: field.name.replace(/__c$/, '').replace(/_/g, ' '),
    type: field.type,
    soapType: SOAP_TYPES[field.type] ?? 'xsd:string',
    length: field.length ?? 0,
    custom: field.name.endsWith('__c'),
    createable: writable,
    updateable: writable && !field.createOnly,
    nillable: !field.required && field.type !== 'boolean' && field.name !== 'Id',
    defaultedOnCreate: defaulted,
    defaultValue: field.defaultValue ?? null,
    externalId: field.externalId === true,
    unique: field.unique === true,
    caseSensitive: field.caseSensitive === true,
    idLookup: field.name === 'Id' || field.externalId === true,
    picklistValues: (field.picklist ?? []).map((value) => ({
      active: true,
      defaultValue: value === field.defaultValue,
      label: value,
      validFor: null,
      value,
    })),
    referenceTo: field.referenceTo ?? [],
    relationshipName: field.relationshipName ?? null,
  };
}

export const describeRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/sobjects',
    kind: 'describe.global',
    handle: () => ({
      status: 200,
      body: {
        encoding: 'UTF-8',
        maxBatchSize: 200,
        sobjects: OBJECTS.map((o) => ({
          name: o.name,
          label: o.name,
          keyPrefix: o.keyPrefix,
          custom: false,
          createable: o.createable,
          updateable: o.createable,
          queryable: true,
        })),
      },
    }),
  },
  {
    method: 'GET',
    path: '/sobjects/:object/describe',
    kind: 'describe',
    handle: ({ env, params, apiBase, headers }) => {
      const schema = objectSchema(params['object']!);
      if (!schema) throw notFound();
      // Metadata only changes when the org's settings do; HTTP dates have whole seconds.
      const modified = Math.floor(env.state.config.metadataModifiedAt / 1000) * 1000;
      const since = Date.parse(headers.get('if-modified-since') ?? '');
      if (!Number.isNaN(since) && since >= modified) return { status: 304 };
      const fields = schema.fields.map(describeField);
      if (schema.name === 'Opportunity') {
        const stage = fields.find((f) => f.name === 'StageName')!;
        stage.picklistValues = env.state.config.stages.map((s) => ({
          active: true,
          defaultValue: false,
          label: s.apiName,
          validFor: null,
          value: s.apiName,
        }));
      }
      return {
        status: 200,
        headers: { 'Last-Modified': new Date(modified).toUTCString() },
        body: {
          name: schema.name,
          label: schema.name,
          keyPrefix: schema.keyPrefix,
          custom: false,
          createable: schema.createable,
          updateable: schema.createable,
          deletable: schema.createable,
          queryable: true,
          fields,
          childRelationships: (schema.children ?? []).map((c) => ({
            childSObject: c.childObject,
            field: c.field,
            relationshipName: c.relationshipName,
          })),
          recordTypeInfos: [],
          urls: {
            sobject: `${apiBase}/sobjects/${schema.name}`,
            describe: `${apiBase}/sobjects/${schema.name}/describe`,
          },
        },
      };
    },
  },
];
