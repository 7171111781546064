import { Argument, type Command } from 'commander';
import { DEFAULT_MESSAGES } from '../shared/default-messages.js';
import { countPlaceholders } from '../shared/reinstall-messages.js';
import { CliError } from './cli-error.js';
import { withServices } from './cli-services.js';
import { parseLanguage } from './option-parsers.js';
import { requireProject } from './require-project.js';
import { printJson, printRows, wantsJson, type Column } from './table-output.js';

/** The texts for one language: the built-in one and the project's override, where present. */
interface MessageTexts {
  language: string;
  builtIn: string | null;
  override: string | null;
}

interface TextLine {
  language: string;
  origin: 'built-in' | 'project';
  text: string;
}

// The text goes last because only the last column is printed unpadded, and padding misaligns
// scripts with combining marks.
const TEXT_COLUMNS: Column<TextLine>[] = [
  { header: 'LANGUAGE', value: (line) => line.language },
  { header: 'ORIGIN', value: (line) => line.origin },
  { header: 'TEXT', value: (line) => line.text },
];

export function registerMessageCommands(program: Command): void {
  const message = program
    .command('message')
    .description(
      'manage a project\'s texts of the first reinstall SMS, which carries the Play Store link',
    );

  message
    .command('set')
    .description(
      'set the project\'s own text for one language, used in place of the built-in text',
    )
    .argument('<domain>', 'project name')
    .addArgument(new Argument('<language>', 'ISO 639 code, such as en').argParser(parseLanguage))
    .argument('<text>', 'message text with exactly one {}, where the Play Store link goes')
    .action(setMessage);

  message
    .command('list')
    .description('list each language\'s built-in text and the project\'s override')
    .argument('<domain>', 'project name')
    .action((domain: string, _options: object, command: Command) =>
      listMessages(domain, wantsJson(command)),
    );

  message
    .command('remove')
    .description('remove a project\'s override, so the built-in text is used again')
    .argument('<domain>', 'project name')
    .addArgument(new Argument('<language>', 'ISO 639 code').argParser(parseLanguage))
    .action(removeMessage);
}

async function setMessage(domain: string, language: string, text: string): Promise<void> {
  const placeholders = countPlaceholders(text);
  if (placeholders !== 1) {
    throw new CliError(
      `the message text contains ${placeholders} {} placeholders; ` +
        'give exactly one {}, where the Play Store link goes',
    );
  }
  await withServices(async ({ registry }) => {
    await requireProject(registry, domain);
    await registry.setMessageTemplate(domain, language, text);
  });
  process.stdout.write(`set the ${language} message of project ${domain}\n`);
}

async function listMessages(domain: string, json: boolean): Promise<void> {
  const overrides = await withServices(async ({ registry }) => {
    await requireProject(registry, domain);
    return registry.getMessageTemplates(domain);
  });
  const languages = [...new Set([...Object.keys(DEFAULT_MESSAGES), ...Object.keys(overrides)])];
  const texts: MessageTexts[] = languages.sort().map((language) => ({
    language,
    builtIn: DEFAULT_MESSAGES[language] ?? null,
    override: overrides[language] ?? null,
  }));
  if (json) {
    printJson(texts);
    return;
  }
  printRows(false, texts.flatMap(toTextLines), TEXT_COLUMNS, 'no messages');
}

function toTextLines(texts: MessageTexts): TextLine[] {
  const lines: TextLine[] = [];
  if (texts.builtIn !== null) {
    lines.push({ language: texts.language, origin: 'built-in', text: texts.builtIn });
  }
  if (texts.override !== null) {
    lines.push({ language: texts.language, origin: 'project', text: texts.override });
  }
  return lines;
}

async function removeMessage(domain: string, language: string): Promise<void> {
  await withServices(async ({ registry }) => {
    await requireProject(registry, domain);
    if (!(await registry.removeMessageTemplate(domain, language))) {
      throw new CliError(
        `project ${domain} has no ${language} message of its own; see \`message list ${domain}\``,
      );
    }
  });
  process.stdout.write(`removed the ${language} message of project ${domain}\n`);
}
