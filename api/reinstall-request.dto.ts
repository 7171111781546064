import {
  ArrayNotEmpty,
  IsArray,
  IsDefined,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
  registerDecorator,
  validateSync,
  type ValidationError,
} from 'class-validator';
import { countPlaceholders } from '../shared/reinstall-messages.js';
import { normaliseNumber } from '../shared/phone-number.js';
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
  @ValidateNested({ each: true })
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

/**
 * Validates a parsed JSON body into a typed request. Throws HttpError: 400
 * with one message per field, or 413 when the request lists too many users.
 */
export function parseReinstallRequest(body: unknown, limits: RequestLimits): ReinstallRequestDto {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw HttpError.fields({ body: 'the request body must be a JSON object with app_id and users' });
  }
  const dto = toDto(body as Record<string, unknown>, limits);
  const errors = validateSync(dto, { validationError: { target: false, value: false } });
  const fields = Object.fromEntries(errors.map((error) => [error.property, describe(error)]));
  if (dto.reinstall_message !== undefined && !fields.reinstall_message) {
    const length = dto.reinstall_message.length;
    if (length > limits.maxReinstallMessageLength) {
      fields.reinstall_message = `reinstall_message has ${length} characters; shorten it to at most ${limits.maxReinstallMessageLength}`;
    }
  }
  if (!fields.users) {
    const duplicate = findDuplicate(dto.users);
    if (duplicate) fields.users = duplicate;
  }
  if (Object.keys(fields).length > 0) throw HttpError.fields(fields);
  return dto;
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

/** Turns class-validator's tree into one sentence, naming the first failing user by index. */
function describe(error: ValidationError): string {
  if (error.constraints) return firstMessage(error.constraints);
  const child = error.children?.[0];
  const inner = child?.children?.[0];
  if (!child || !inner?.constraints) return `${error.property} is invalid`;
  return `${error.property}[${child.property}].${firstMessage(inner.constraints)}`;
}

function findDuplicate(users: ReinstallUserDto[]): string | null {
  const firstSeen = new Map<string, number>();
  for (let i = 0; i < users.length; i++) {
    const key = normaliseNumber(users[i].phone_number);
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
