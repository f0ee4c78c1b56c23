import * as Templates from '@consort/shared/provisioning/template-use-cases';
import {
  TemplateDiffQuery,
  TemplateOverrideInput,
  TemplatePreviewInput,
  TemplateRevertInput,
} from '@consort/shared/provisioning/templates';
import { route } from './route';

// Tenant-editable provisioning templates: each backend's files, a tenant's versioned overrides, preview and diff.
// Owners and admins only (`templates:manage`): an override is shell code that runs on the tenant's hosts.
const FILE = '/v1/provisioning/templates/{backend}/{file}';

export const templateRoutes = [
  route({
    method: 'GET',
    path: '/v1/provisioning/templates',
    tag: 'Templates',
    status: 200,
    summary: "Every backend's template files, whether the tenant overrides each and the active version",
    handle: ({ deps, actor }) => Templates.listTemplates(deps, actor),
  }),
  route({
    method: 'GET',
    path: FILE,
    tag: 'Templates',
    status: 200,
    summary: 'One template (backend such as website.nginx): default text, active override and every version',
    handle: ({ deps, actor, params }) => Templates.getTemplate(deps, actor, params.backend!, params.file!),
  }),
  route({
    method: 'PUT',
    path: FILE,
    tag: 'Templates',
    status: 200,
    summary: 'Save a new version of the override (checked: parses in the sandbox and renders for a live service)',
    body: TemplateOverrideInput,
    handle: ({ deps, actor, params, body }) => Templates.saveTemplate(deps, actor, params.backend!, params.file!, body),
  }),
  route({
    method: 'DELETE',
    path: FILE,
    tag: 'Templates',
    status: 200,
    summary: 'Revert to the default: a new version that removes the override (`comment` in the query)',
    query: TemplateRevertInput,
    handle: ({ deps, actor, params, query }) => Templates.revertTemplate(deps, actor, params.backend!, params.file!, query),
  }),
  route({
    method: 'POST',
    path: `${FILE}/preview`,
    tag: 'Templates',
    status: 200,
    summary: "Render the backend's save and delete scripts for a service with a candidate text (unsaved), with the diff",
    body: TemplatePreviewInput,
    handle: ({ deps, actor, params, body }) => Templates.previewTemplate(deps, actor, params.backend!, params.file!, body),
  }),
  route({
    method: 'GET',
    path: `${FILE}/diff`,
    tag: 'Templates',
    status: 200,
    summary: 'Unified diff of a version (default: the active one) against the default text',
    query: TemplateDiffQuery,
    handle: ({ deps, actor, params, query }) => Templates.diffTemplate(deps, actor, params.backend!, params.file!, query),
  }),
];
