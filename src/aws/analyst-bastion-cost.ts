import { HOURS_PER_MONTH } from './redshift-capacity';

/**
 * Approximate us-east-1 on-demand list prices of what `analystBastion` adds (the EC2 and
 * PrivateLink pricing pages are the authority for a region): a t4g.nano instance, its 8 GB
 * gp3 root volume, and three interface endpoints in one Availability Zone (ssm,
 * ssmmessages, ec2messages), each billed per AZ-hour and per GB through it.
 * @see https://aws.amazon.com/ec2/pricing/on-demand/
 * @see https://aws.amazon.com/privatelink/pricing/
 */
const T4G_NANO_HOURLY_USD = 0.0042;
const GP3_GB_MONTH_USD = 0.08;
const ROOT_VOLUME_GB = 8;
const INTERFACE_ENDPOINT_AZ_HOURLY_USD = 0.01;
const INTERFACE_ENDPOINTS = 3;
const INTERFACE_ENDPOINT_GB_USD = 0.01;

/**
 * The analysts' bastion's cost per hour (instance and endpoints), per month of
 * {@link HOURS_PER_MONTH} with its volume, and per GB that passes the endpoints on top.
 */
export function analystBastionCost(): { readonly hourly: number; readonly monthly: number; readonly perGbThroughEndpoints: number } {
  const hourly = T4G_NANO_HOURLY_USD + INTERFACE_ENDPOINTS * INTERFACE_ENDPOINT_AZ_HOURLY_USD;
  return { hourly, monthly: hourly * HOURS_PER_MONTH + ROOT_VOLUME_GB * GP3_GB_MONTH_USD, perGbThroughEndpoints: INTERFACE_ENDPOINT_GB_USD };
}
