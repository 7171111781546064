import type { Project, Registry } from '../shared/registry.js';
import { CliError } from './cli-error.js';

/** Returns the project, or throws an error naming the commands that list and create projects. */
export async function requireProject(registry: Registry, domain: string): Promise<Project> {
  const project = await registry.getProject(domain);
  if (project) return project;
  throw new CliError(
    `project ${JSON.stringify(domain)} not found; ` +
      `see \`project list\` or create it with \`project add ${domain}\``,
  );
}
