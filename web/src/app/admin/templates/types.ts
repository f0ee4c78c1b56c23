// The templates API's answers (shared/src/provisioning/template-use-cases.ts), as the pages read them.
export interface TemplateFileView {
  name: string;
  path: string;
  role: 'save' | 'delete' | 'commit' | 'file' | 'delete-file' | 'partial';
  mode: 'shell' | 'text' | 'mysql' | 'postgresql';
  sharedWith: string[];
  overridden: boolean;
  activeVersion: number | null;
  lastVersion: number;
}

export interface BackendTemplatesView {
  id: string;
  kind: string;
  backend: string;
  label: string;
  files: TemplateFileView[];
}

export interface TemplateVersionView {
  path: string;
  version: number;
  text?: string;
  removed: boolean;
  author: string;
  createdAt: string;
  comment?: string;
}

export interface TemplateView {
  backend: { id: string; kind: string; backend: string; label: string };
  file: TemplateFileView;
  defaultText: string;
  active: TemplateVersionView | null;
  versions: TemplateVersionView[];
}
