import { Provider } from '@nestjs/common';
import { Env } from '@jss/config';
import { ENV, LOGGER } from '@jss/infra';
import { Logger } from '@jss/observability';
import { WebhookHosts } from '@jss/recovery-plans';

/** The planner's JSS_WEBHOOK_HOSTS: checked at plan-apply and again before each webhook call (null: none set). */
export const WEBHOOK_HOSTS = Symbol('WEBHOOK_HOSTS');

export const webhookHostsProvider: Provider = {
  provide: WEBHOOK_HOSTS,
  inject: [ENV, LOGGER],
  useFactory: (env: Env, log: Logger): WebhookHosts | null => {
    const hosts = WebhookHosts.parse(env.JSS_WEBHOOK_HOSTS);
    if (!hosts) log.warn('JSS_WEBHOOK_HOSTS is not set: recovery-plan webhooks may call any host the planner reaches');
    return hosts;
  },
};
