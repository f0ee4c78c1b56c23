import { readFile, realpath } from 'node:fs/promises';
import { isAbsolute, resolve, sep } from 'node:path';
import { DomainError, NotFoundError } from '../../core/errors';
import type { TemplateSource } from '../../ports/transport';

/**
 * Templates read from a folder (the repo's `templates/`, or `/var/task/templates` in Lambda), cached for the
 * life of the process. Paths are relative with `/` separators; absolute paths, `..`, empty segments and
 * backslashes are refused, and a symlink that leads outside the folder is refused too.
 */
export class FileTemplateSource implements TemplateSource {
  private readonly root: string;
  private readonly cache = new Map<string, Promise<string>>();

  constructor(root: string) {
    this.root = resolve(root);
  }

  read(path: string): Promise<string> {
    let cached = this.cache.get(path);
    if (!cached) {
      cached = this.load(path);
      this.cache.set(path, cached);
      // Failures are not cached: a template added later (or a transient read error) is picked up.
      cached.catch(() => this.cache.delete(path));
    }
    return cached;
  }

  private async load(path: string): Promise<string> {
    const segments = path.split('/');
    if (
      typeof path !== 'string' ||
      !path ||
      isAbsolute(path) ||
      path.includes('\\') ||
      path.includes('\0') ||
      segments.some((s) => s === '' || s === '.' || s === '..')
    ) {
      throw new DomainError('template_path_invalid', `Template path ${JSON.stringify(path)} must be relative to the templates folder, without ..`);
    }
    const file = resolve(this.root, ...segments);
    try {
      const [root, real] = await Promise.all([realpath(this.root), realpath(file)]);
      if (real !== root && !real.startsWith(root + sep)) {
        throw new DomainError('template_path_invalid', `Template ${path} resolves outside the templates folder`);
      }
      return await readFile(real, 'utf8');
    } catch (error) {
      if (error instanceof DomainError) throw error;
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError('Template', path);
      throw error;
    }
  }
}
