import { createHash } from 'node:crypto';

/**
 * Resolves the CloudFormation intrinsics of a synthesized template as a deploy would,
 * with a deterministic rehearsal value for every resource's Ref and Fn::GetAtt: the same
 * template and stack identity always give the same names, ARNs and ids. Names that
 * CloudFormation generates (`<stack>-<logical id>-<random suffix>`) get a suffix hashed
 * from the logical id instead of a random one.
 *
 * Supported: Ref (resources, parameters with a Default, pseudo parameters), Fn::GetAtt,
 * Fn::Join, Fn::Select, Fn::Split, Fn::If (with the template's Conditions: Fn::Equals,
 * Fn::Not, Fn::And, Fn::Or, Condition), Fn::Sub, Fn::FindInMap, Fn::GetAZs, Fn::Base64
 * and AWS::NoValue. Anything else fails with an {@link IntrinsicError} naming the path.
 */

/** A resource of a template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly Condition?: string;
  readonly DependsOn?: string | string[];
}

/** The parts of a template the rehearsal reads. */
export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Conditions?: Record<string, unknown>;
  readonly Parameters?: Record<string, { readonly Default?: unknown; readonly Type?: string }>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Outputs?: Record<string, { readonly Value: unknown; readonly Condition?: string; readonly Description?: string }>;
}

/** Who and where the rehearsed stack is: the values of the pseudo parameters. */
export interface StackIdentity {
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
}

/** An intrinsic the rehearsal cannot resolve, or a reference to something the template lacks. */
export class IntrinsicError extends Error {}

/** What AWS::NoValue resolves to: the property (or list item) is left out. */
const NO_VALUE = Symbol('AWS::NoValue');

/** A deterministic id of `length` characters from [0-9A-Z], hashed from `seed`. */
export function rehearsalSuffix(seed: string, length = 12): string {
  const digest = createHash('sha256').update(seed).digest();
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return Array.from(digest.subarray(0, length), (byte) => alphabet[byte % alphabet.length]).join('');
}

/** A deterministic UUID-shaped id hashed from `seed`. */
export function rehearsalUuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The role name of an IAM role ARN (`arn:aws:iam::<account>:role/<path/><name>`). */
export function roleNameOfArn(arn: string): string {
  const match = /^arn:[^:]+:iam::\d*:role\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (!match) throw new IntrinsicError(`${arn} is not an IAM role ARN`);
  return match[1];
}

/** Resolves the intrinsics of one template for one stack identity. */
export class TemplateResolver {
  readonly partition: string;
  readonly urlSuffix: string;
  readonly stackId: string;
  private readonly conditions = new Map<string, boolean>();
  private readonly resolving = new Set<string>();

  constructor(
    readonly template: CfnTemplate,
    readonly identity: StackIdentity,
  ) {
    const china = identity.region.startsWith('cn-');
    this.partition = china ? 'aws-cn' : identity.region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
    this.urlSuffix = china ? 'amazonaws.com.cn' : 'amazonaws.com';
    this.stackId = `arn:${this.partition}:cloudformation:${identity.region}:${identity.account}:stack/${identity.stackName}/${rehearsalUuid(identity.stackName)}`;
  }

  /** The resource with this logical id. @throws IntrinsicError naming `path` when there is none */
  resource(logicalId: string, path: string): CfnResource {
    const resource = this.template.Resources[logicalId];
    if (!resource) throw new IntrinsicError(`${path}: the template has no resource ${logicalId}`);
    return resource;
  }

  /** The logical ids and resources of one type, in template order. */
  resourcesOfType(type: string): [string, CfnResource][] {
    return Object.entries(this.template.Resources).filter(([, resource]) => resource.Type === type);
  }

  /** Resolves every intrinsic in `value`; `path` names where it is, for error messages. */
  resolve(value: unknown, path: string): unknown {
    const resolved = this.value(value, path);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  /** Resolves `value` and requires a string. */
  resolveString(value: unknown, path: string): string {
    const resolved = this.resolve(value, path);
    if (typeof resolved !== 'string') throw new IntrinsicError(`${path}: expected a string, got ${JSON.stringify(resolved)}`);
    return resolved;
  }

  /** The value of a template Condition. */
  condition(name: string, path: string): boolean {
    const known = this.conditions.get(name);
    if (known !== undefined) return known;
    const expression = this.template.Conditions?.[name];
    if (expression === undefined) throw new IntrinsicError(`${path}: the template has no condition ${name}`);
    const value = this.conditionValue(expression, `Conditions.${name}`);
    this.conditions.set(name, value);
    return value;
  }

  /** What `{ Ref: logicalId }` gives. */
  ref(name: string, path: string): unknown {
    switch (name) {
      case 'AWS::Region':
        return this.identity.region;
      case 'AWS::AccountId':
        return this.identity.account;
      case 'AWS::Partition':
        return this.partition;
      case 'AWS::StackName':
        return this.identity.stackName;
      case 'AWS::StackId':
        return this.stackId;
      case 'AWS::URLSuffix':
        return this.urlSuffix;
      case 'AWS::NotificationARNs':
        return [];
      case 'AWS::NoValue':
        return NO_VALUE;
    }
    const parameter = this.template.Parameters?.[name];
    if (parameter) {
      if (parameter.Default === undefined) throw new IntrinsicError(`${path}: parameter ${name} has no Default, and the rehearsal passes no parameters`);
      return parameter.Default;
    }
    return this.physicalId(name, path);
  }

  /** What `{ 'Fn::GetAtt': [logicalId, attribute] }` gives. */
  getAtt(logicalId: string, attribute: string, path: string): string {
    const resource = this.resource(logicalId, path);
    const id = this.physicalId(logicalId, path);
    const { region, account } = this.identity;
    const arn = (service: string, resourcePart: string, withRegion = true) =>
      `arn:${this.partition}:${service}:${withRegion ? region : ''}:${account}:${resourcePart}`;
    const props = resource.Properties ?? {};
    const prop = (key: string) => (props[key] === undefined ? undefined : this.resolveString(props[key], `Resources.${logicalId}.Properties.${key}`));
    const known: Record<string, Record<string, () => string>> = {
      'AWS::IAM::Role': {
        Arn: () => `arn:${this.partition}:iam::${account}:role${prop('Path') ?? '/'}${id}`,
        RoleId: () => `AROA${rehearsalSuffix(`${logicalId}/RoleId`, 17)}`,
      },
      'AWS::Lambda::Function': { Arn: () => arn('lambda', `function:${id}`) },
      'AWS::S3::Bucket': {
        Arn: () => `arn:${this.partition}:s3:::${id}`,
        DomainName: () => `${id}.s3.${this.urlSuffix}`,
        RegionalDomainName: () => `${id}.s3.${region}.${this.urlSuffix}`,
      },
      'AWS::Redshift::Cluster': {
        MasterPasswordSecretArn: () => arn('secretsmanager', `secret:redshift!${id}-${prop('MasterUsername') ?? 'admin'}-${rehearsalSuffix(`${logicalId}/secret`, 6)}`),
        'Endpoint.Address': () => `${id}.${rehearsalSuffix(logicalId, 12).toLowerCase()}.${region}.redshift.${this.urlSuffix}`,
        'Endpoint.Port': () => prop('Port') ?? '5439',
        ClusterNamespaceArn: () => arn('redshift', `namespace:${rehearsalUuid(`${logicalId}/namespace`)}`),
      },
      'AWS::RedshiftServerless::Namespace': {
        'Namespace.NamespaceName': () => id,
        'Namespace.NamespaceId': () => rehearsalUuid(`${logicalId}/NamespaceId`),
        'Namespace.NamespaceArn': () => arn('redshift-serverless', `namespace/${rehearsalUuid(`${logicalId}/NamespaceId`)}`),
        'Namespace.AdminUsername': () => prop('AdminUsername') ?? 'admin',
        'Namespace.DbName': () => prop('DbName') ?? 'dev',
        'Namespace.AdminPasswordSecretArn': () => arn('secretsmanager', `secret:redshift!${id}-${prop('AdminUsername') ?? 'admin'}-${rehearsalSuffix(`${logicalId}/secret`, 6)}`),
      },
      'AWS::RedshiftServerless::Workgroup': {
        'Workgroup.WorkgroupName': () => id,
        'Workgroup.WorkgroupId': () => rehearsalUuid(`${logicalId}/WorkgroupId`),
        'Workgroup.WorkgroupArn': () => arn('redshift-serverless', `workgroup/${rehearsalUuid(`${logicalId}/WorkgroupId`)}`),
        'Workgroup.Endpoint.Address': () => `${id}.${account}.${region}.redshift-serverless.${this.urlSuffix}`,
        'Workgroup.Endpoint.Port': () => prop('Port') ?? '5439',
      },
      'AWS::StepFunctions::StateMachine': { Arn: () => id, Name: () => id.split(':').at(-1) as string },
      'AWS::SQS::Queue': {
        Arn: () => arn('sqs', this.queueName(id)),
        QueueName: () => this.queueName(id),
        QueueUrl: () => id,
      },
      'AWS::SNS::Topic': { TopicArn: () => id, TopicName: () => id.split(':').at(-1) as string },
      'AWS::Logs::LogGroup': { Arn: () => arn('logs', `log-group:${id}:*`) },
      'AWS::EC2::SecurityGroup': { GroupId: () => id },
      'AWS::SecretsManager::Secret': { Id: () => id },
      'AWS::EC2::VPC': { VpcId: () => id, CidrBlock: () => prop('CidrBlock') ?? '10.0.0.0/16' },
    };
    const attributeValue = known[resource.Type]?.[attribute];
    if (attributeValue) return attributeValue();
    if (attribute === 'Arn') {
      // Any other resource's Arn: a well-formed, deterministic placeholder in its service.
      const [, service = 'unknown', kind = 'resource'] = resource.Type.split('::');
      return arn(service.toLowerCase(), `${kind.toLowerCase()}/${id}`);
    }
    throw new IntrinsicError(`${path}: the rehearsal has no value for Fn::GetAtt ${logicalId}.${attribute} (of type ${resource.Type})`);
  }

  /** The physical id (what Ref gives) of a resource: its name property, or a name CloudFormation would generate. */
  physicalId(logicalId: string, path: string): string {
    const resource = this.resource(logicalId, path);
    if (this.resolving.has(logicalId)) throw new IntrinsicError(`${path}: ${logicalId} refers to itself`);
    this.resolving.add(logicalId);
    try {
      const props = resource.Properties ?? {};
      const named = (key: string) =>
        props[key] === undefined ? undefined : this.resolveString(props[key], `Resources.${logicalId}.Properties.${key}`);
      const { region, account, stackName } = this.identity;
      const generated = (maxLength: number) => {
        const suffix = rehearsalSuffix(`${stackName}/${logicalId}`);
        return `${`${stackName}-${logicalId}`.slice(0, maxLength - suffix.length - 1)}-${suffix}`;
      };
      const lower = (maxLength: number) => generated(maxLength).toLowerCase();
      const hex = (prefix: string) => `${prefix}-${createHash('sha256').update(`${stackName}/${logicalId}`).digest('hex').slice(0, 17)}`;
      switch (resource.Type) {
        case 'AWS::IAM::Role':
          return named('RoleName') ?? generated(64);
        case 'AWS::Lambda::Function':
          return named('FunctionName') ?? generated(64);
        case 'AWS::S3::Bucket':
          return named('BucketName') ?? lower(63);
        case 'AWS::Redshift::Cluster':
          return named('ClusterIdentifier') ?? lower(63);
        case 'AWS::RedshiftServerless::Namespace':
          return named('NamespaceName') ?? lower(64);
        case 'AWS::RedshiftServerless::Workgroup':
          return named('WorkgroupName') ?? lower(64);
        case 'AWS::Logs::LogGroup':
          return named('LogGroupName') ?? generated(512);
        case 'AWS::StepFunctions::StateMachine':
          return `arn:${this.partition}:states:${region}:${account}:stateMachine:${named('StateMachineName') ?? generated(80)}`;
        case 'AWS::SQS::Queue':
          return `https://sqs.${region}.${this.urlSuffix}/${account}/${named('QueueName') ?? generated(80)}`;
        case 'AWS::SNS::Topic':
          return `arn:${this.partition}:sns:${region}:${account}:${named('TopicName') ?? generated(256)}`;
        case 'AWS::SecretsManager::Secret':
          // Ref gives the ARN, whose name ends in six random characters.
          return `arn:${this.partition}:secretsmanager:${region}:${account}:secret:${named('Name') ?? generated(64)}-${rehearsalSuffix(`${logicalId}/secret`, 6)}`;
        case 'AWS::EC2::VPC':
          return hex('vpc');
        case 'AWS::EC2::Subnet':
          return hex('subnet');
        case 'AWS::EC2::SecurityGroup':
          return hex('sg');
        case 'AWS::EC2::RouteTable':
          return hex('rtb');
        case 'AWS::EC2::VPCEndpoint':
          return hex('vpce');
        default:
          return generated(64);
      }
    } finally {
      this.resolving.delete(logicalId);
    }
  }

  private queueName(url: string): string {
    return url.split('/').at(-1) as string;
  }

  private value(value: unknown, path: string): unknown {
    if (Array.isArray(value)) {
      return value.map((item, index) => this.value(item, `${path}[${index}]`)).filter((item) => item !== NO_VALUE);
    }
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0].startsWith('Fn::'))) {
      return this.intrinsic(entries[0][0], entries[0][1], `${path}.${entries[0][0]}`);
    }
    const result: Record<string, unknown> = {};
    for (const [key, item] of entries) {
      const resolved = this.value(item, `${path}.${key}`);
      if (resolved !== NO_VALUE) result[key] = resolved;
    }
    return result;
  }

  private intrinsic(name: string, argument: unknown, path: string): unknown {
    const list = (expected: number) => {
      if (!Array.isArray(argument) || argument.length !== expected) {
        throw new IntrinsicError(`${path}: ${name} takes a list of ${expected}, got ${JSON.stringify(argument)}`);
      }
      return argument as unknown[];
    };
    switch (name) {
      case 'Ref':
        if (typeof argument !== 'string') throw new IntrinsicError(`${path}: Ref takes a name, got ${JSON.stringify(argument)}`);
        return this.ref(argument, path);
      case 'Fn::GetAtt': {
        const [logicalId, ...attribute] = typeof argument === 'string' ? argument.split('.') : (list(2) as string[]);
        return this.getAtt(logicalId, attribute.join('.'), path);
      }
      case 'Fn::Join': {
        const [separator, items] = list(2);
        const parts = this.value(items, `${path}[1]`);
        if (!Array.isArray(parts)) throw new IntrinsicError(`${path}: Fn::Join needs a list to join`);
        return parts.map((part, index) => this.scalar(part, `${path}[1][${index}]`)).join(String(separator));
      }
      case 'Fn::Select': {
        const [index, items] = list(2);
        const from = this.value(items, `${path}[1]`);
        const at = Number(this.value(index, `${path}[0]`));
        if (!Array.isArray(from) || !Number.isInteger(at) || at < 0 || at >= from.length) {
          throw new IntrinsicError(`${path}: Fn::Select index ${at} is outside ${JSON.stringify(from)}`);
        }
        return from[at];
      }
      case 'Fn::Split': {
        const [separator, source] = list(2);
        return this.scalar(this.value(source, `${path}[1]`), `${path}[1]`).split(String(separator));
      }
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = list(3);
        return this.condition(String(condition), path) ? this.value(whenTrue, `${path}[1]`) : this.value(whenFalse, `${path}[2]`);
      }
      case 'Fn::Sub':
        return this.sub(argument, path);
      case 'Fn::FindInMap': {
        const [map, first, second] = list(3).map((item, index) => this.scalar(this.value(item, `${path}[${index}]`), `${path}[${index}]`));
        const found = this.template.Mappings?.[map]?.[first]?.[second];
        if (found === undefined) throw new IntrinsicError(`${path}: the template's Mappings have no ${map}.${first}.${second}`);
        return found;
      }
      case 'Fn::GetAZs':
        return ['a', 'b', 'c'].map((zone) => `${this.identity.region}${zone}`);
      case 'Fn::Base64':
        return Buffer.from(this.scalar(this.value(argument, path), path)).toString('base64');
      default:
        throw new IntrinsicError(`${path}: the rehearsal cannot resolve ${name}`);
    }
  }

  private sub(argument: unknown, path: string): string {
    const [text, variables] = typeof argument === 'string' ? [argument, {}] : (argument as [string, Record<string, unknown>]);
    if (typeof text !== 'string') throw new IntrinsicError(`${path}: Fn::Sub needs a string`);
    return text.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      if (variables && name in variables) return this.scalar(this.value(variables[name], `${path}[1].${name}`), `${path}[1].${name}`);
      const dot = name.indexOf('.');
      if (dot > 0 && !name.startsWith('AWS::')) return this.getAtt(name.slice(0, dot), name.slice(dot + 1), path);
      const resolved = this.ref(name, path);
      if (resolved === NO_VALUE) throw new IntrinsicError(`${path}: ${whole} cannot be AWS::NoValue`);
      return this.scalar(resolved, path);
    });
  }

  /** A value inside a string (Join, Sub, Split): strings, numbers and booleans as text. */
  private scalar(value: unknown, path: string): string {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw new IntrinsicError(`${path}: expected a string, got ${JSON.stringify(value)}`);
  }

  private conditionValue(expression: unknown, path: string): boolean {
    if (typeof expression === 'boolean') return expression;
    const entries = Object.entries((expression ?? {}) as Record<string, unknown>);
    if (entries.length !== 1) throw new IntrinsicError(`${path}: not a condition: ${JSON.stringify(expression)}`);
    const [name, argument] = entries[0];
    const items = Array.isArray(argument) ? argument : [];
    switch (name) {
      case 'Fn::Equals': {
        const [left, right] = items.map((item, index) => this.value(item, `${path}.${name}[${index}]`));
        return JSON.stringify(left) === JSON.stringify(right);
      }
      case 'Fn::Not':
        return !this.conditionValue(items[0], `${path}.${name}[0]`);
      case 'Fn::And':
        return items.every((item, index) => this.conditionValue(item, `${path}.${name}[${index}]`));
      case 'Fn::Or':
        return items.some((item, index) => this.conditionValue(item, `${path}.${name}[${index}]`));
      case 'Condition':
        return this.condition(String(argument), path);
      default:
        throw new IntrinsicError(`${path}: the rehearsal cannot evaluate ${name} in a condition`);
    }
  }
}

/**
 * ResourceProperties as CloudFormation sends them to a custom resource: every number and
 * boolean becomes a string (lists and objects keep their shape).
 */
export function asCustomResourceProperties(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asCustomResourceProperties);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, asCustomResourceProperties(item)]));
  }
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}
