import { aws_iam as iam, aws_redshift as redshift } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { describeActiveHours, pauseResumeCrons, activeHoursProblem, type ActiveHours } from '../src/aws/pause-schedule';
import { physicalName } from './warehouse';

/** Properties of {@link PauseResumeSchedule}. */
export interface PauseResumeScheduleProps {
  /** The cluster to pause and resume. */
  readonly clusterIdentifier: string;
  /** Its ARN: the only resource the scheduler's role may pause and resume. */
  readonly clusterArn: string;
  /** When the cluster runs; it is paused the rest of the time. */
  readonly activeHours: ActiveHours;
}

/**
 * Pauses a provisioned cluster outside its active hours and resumes it at their start:
 * two Redshift scheduled actions and the role the Redshift scheduler assumes to run them.
 * A paused cluster bills its storage only, not its nodes.
 * @see https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-scheduled-actions.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-redshift-scheduledaction.html
 */
export class PauseResumeSchedule extends Construct {
  /** The role `scheduler.redshift.amazonaws.com` assumes: PauseCluster and ResumeCluster on this cluster only. */
  readonly role: iam.Role;
  /** The action that pauses the cluster at the end of its active hours. */
  readonly pause: redshift.CfnScheduledAction;
  /** The action that resumes it at their start. */
  readonly resume: redshift.CfnScheduledAction;

  constructor(scope: Construct, id: string, props: PauseResumeScheduleProps) {
    super(scope, id);
    const problem = activeHoursProblem(props.activeHours);
    if (problem) throw new Error(`activeHours: ${problem}`);
    this.role = new iam.Role(this, 'Role', {
      // The Redshift scheduler runs scheduled actions as a role that trusts this principal.
      assumedBy: new iam.ServicePrincipal('scheduler.redshift.amazonaws.com'),
      description: `Pauses and resumes the Sparkify cluster: active ${describeActiveHours(props.activeHours)}`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PauseAndResumeTheCluster',
        actions: ['redshift:PauseCluster', 'redshift:ResumeCluster'],
        resources: [props.clusterArn],
      }),
    );
    const crons = pauseResumeCrons(props.activeHours);
    const action = (kind: 'pause' | 'resume', schedule: string) => {
      const scheduled = new redshift.CfnScheduledAction(this, kind === 'pause' ? 'Pause' : 'Resume', {
        // Names are unique in the account and Region: the construct's path and the stack's id.
        scheduledActionName: physicalName(this, kind),
        scheduledActionDescription: `${kind === 'pause' ? 'Pauses' : 'Resumes'} the Sparkify cluster (active ${describeActiveHours(props.activeHours)})`,
        schedule,
        iamRole: this.role.roleArn,
        enable: true,
        targetAction:
          kind === 'pause'
            ? { pauseCluster: { clusterIdentifier: props.clusterIdentifier } }
            : { resumeCluster: { clusterIdentifier: props.clusterIdentifier } },
      });
      // The scheduler must be able to assume the role with its policy before the first run.
      scheduled.node.addDependency(this.role);
      return scheduled;
    };
    this.pause = action('pause', crons.pause);
    this.resume = action('resume', crons.resume);
  }
}
