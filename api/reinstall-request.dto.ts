import {
  ArrayNotEmpty,
  IsArray,
  IsDefined,
  IsNotEmpty,
  IsOptional,
  IsString,
  registerDecorator,
  validateSync,
  type ValidationError,
} from 'class-validator';
import { countPlaceholders } from '../shared/reinstall-messages.js';
import { normaliseNumber } from '../shared/phone-number.js';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { HttpError } from './http-error.js';

/** Requires exactly one `{}` in a string, where the Play Store link goes. */
function HasOnePlaceholder() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'hasOnePlaceholder',
      target: target.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || countPlaceholders(value) === 1,
        defaultMessage: (args) => {
          const found = countPlaceholders(String(args?.value ?? ''));
          return `reinstall_message must contain exactly one {} where the Play Store link goes; it contains ${found}`;
        },
      },
    });
}

export class ReinstallUserDto {
  @IsDefined({ message: 'phone_number is required' })
  @IsString({ message: 'phone_number must be a string such as "16175551234"' })
  phone_number!: string;
}

export class ReinstallRequestDto {
  @IsDefined({ message: 'app_id is required' })
  @IsString({ message: 'app_id must be a string naming one of the project\'s apps' })
  @IsNotEmpty({ message: 'app_id must not be empty' })
  app_id!: string;

  @IsDefined({ message: 'users is required: a list such as [{"phone_number": "16175551234"}]' })
  @IsArray({ message: 'users must be a list of objects such as {"phone_number": "16175551234"}' })
  @ArrayNotEmpty({ message: 'users must hold at least one user' })
  users!: ReinstallUserDto[];

  @IsOptional()
  @IsString({ message: 'reinstall_message must be a string holding one {}' })
  @HasOnePlaceholder()
  reinstall_message?: string;
}

export interface RequestLimits {
  maxUsers: number;
  maxReinstallMessageLength: number;
}

/** Users validated between yields to the event loop, so a large request does not stall others. */
const VALIDATION_CHUNK = 1000;

const VALIDATION_OPTIONS = { validationError: { target: false, value: false } };

/**
 * Validates a parsed JSON body into a typed request. Throws HttpError: 400
 * with one message per field, or 413 when the request lists too many users.
 */
export async function parseReinstallRequest(body: unknown, limits: RequestLimits): Promise<ReinstallRequestDto> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw HttpError.fields({ body: 'the request body must be a JSON object with app_id and users' });
  }
  const dto = toDto(body as Record<string, unknown>, limits);
  const errors = validateSync(dto, VALIDATION_OPTIONS);
  const fields = Object.fromEntries(errors.map((error) => [error.property, describe(error)]));
  if (dto.reinstall_message !== undefined && !fields.reinstall_message) {
    const problem = checkMessageText(dto.reinstall_message, limits.maxReinstallMessageLength);
    if (problem) fields.reinstall_message = problem;
  }
  if (!fields.users) {
    const problem = (await findInvalidUser(dto.users)) ?? findDuplicate(dto.users);
    if (problem) fields.users = problem;
  }
  if (Object.keys(fields).length > 0) throw HttpError.fields(fields);
  return dto;
}

function checkMessageText(text: string, maxLength: number): string | null {
  if (text.length > maxLength) {
    return `reinstall_message has ${text.length} characters; shorten it to at most ${maxLength}`;
  }
  // A lone UTF-16 surrogate cannot be encoded for the gateway and would arrive garbled.
  if (!text.isWellFormed()) {
    return 'reinstall_message contains an unpaired UTF-16 surrogate; send valid Unicode text';
  }
  return null;
}

/**
 * Checks whether a user passes ReinstallUserDto's constraints (a defined
 * string phone_number) without class-validator's per-object cost, which
 * dominates a 10,000-user request. Users that fail it are validated by
 * class-validator, which words the error. A test keeps the two in step.
 */
export function passesUserConstraints(user: ReinstallUserDto): boolean {
  return typeof user.phone_number === 'string';
}

/** Validates each user, naming the first invalid one by index. */
async function findInvalidUser(users: ReinstallUserDto[]): Promise<string | null> {
  for (let i = 0; i < users.length; i++) {
    if (i > 0 && i % VALIDATION_CHUNK === 0) await yieldToEventLoop();
    if (passesUserConstraints(users[i])) continue;
    const [error] = validateSync(users[i], VALIDATION_OPTIONS);
    if (error?.constraints) return `users[${i}].${firstMessage(error.constraints)}`;
  }
  return null;
}

function toDto(body: Record<string, unknown>, limits: RequestLimits): ReinstallRequestDto {
  const dto = new ReinstallRequestDto();
  dto.app_id = body.app_id as string;
  const users = body.users;
  if (Array.isArray(users)) {
    if (users.length > limits.maxUsers) {
      throw HttpError.error(
        413,
        'too_many_users',
        `the request lists ${users.length} users; send at most ${limits.maxUsers} per request`,
      );
    }
    const notObject = users.findIndex((user) => typeof user !== 'object' || user === null || Array.isArray(user));
    if (notObject >= 0) {
      throw HttpError.fields({ users: `users[${notObject}] must be an object such as {"phone_number": "16175551234"}` });
    }
    dto.users = (users as Record<string, unknown>[]).map(toUserDto);
  } else {
    dto.users = users as ReinstallUserDto[];
  }
  if (body.reinstall_message !== undefined && body.reinstall_message !== null) {
    dto.reinstall_message = body.reinstall_message as string;
  }
  return dto;
}

function toUserDto(user: Record<string, unknown>): ReinstallUserDto {
  const dto = new ReinstallUserDto();
  dto.phone_number = user.phone_number as string;
  return dto;
}

/** Constraint names in the order their messages are most useful: a missing field before its type. */
const CONSTRAINT_PRIORITY = ['isDefined', 'isString', 'isArray', 'arrayNotEmpty', 'isNotEmpty'];

function firstMessage(constraints: Record<string, string>): string {
  const name = CONSTRAINT_PRIORITY.find((candidate) => candidate in constraints);
  return name ? constraints[name] : Object.values(constraints)[0];
}

function describe(error: ValidationError): string {
  return error.constraints ? firstMessage(error.constraints) : `${error.property} is invalid`;
}

function findDuplicate(users: ReinstallUserDto[]): string | null {
  const firstSeen = new Map<string, number>();
  for (let i = 0; i < users.length; i++) {
    const key = normaliseNumber(users[i].phone_number);
    // Entries that are not digits once normalised are listed as malformed,
    // each as sent, so only numbers count as repeats.
    if (!/^\d+$/.test(key)) continue;
    const earlier = firstSeen.get(key);
    if (earlier !== undefined) {
      return (
        `users[${i}].phone_number ${JSON.stringify(users[i].phone_number)} is the same number as ` +
        `users[${earlier}] once normalised; list each number once`
      );
    }
    firstSeen.set(key, i);
  }
  return null;
}
