import type { TemplateDefinition } from '../core/template.js';
import { signupToLead } from './signup-to-lead/index.js';

/** Every template Concord ships, by id. Adding a template adds a folder and one line here. */
export const TEMPLATES: Record<string, TemplateDefinition<unknown>> = {
  [signupToLead.id]: signupToLead as TemplateDefinition<unknown>,
};

export const TEMPLATE_IDS = Object.keys(TEMPLATES);
