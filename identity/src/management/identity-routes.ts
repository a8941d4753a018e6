import { AuthController } from '../auth/auth.controller.js';
import { AccountService } from './account.service.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysService } from './api-keys.service.js';
import { InvitationsController, ReceivedInvitationsController } from './invitations.controller.js';
import { InvitationsService } from './invitations.service.js';
import { MeController } from './me.controller.js';
import { MembersController } from './members.controller.js';
import { MembersService } from './members.service.js';
import { MySessionsController } from './sessions.controller.js';
import { MyMfaController } from './mfa.controller.js';
import { TenantSecurityController } from './tenant-security.controller.js';
import { TenantsController } from './tenants.controller.js';
import { TenantQuotasController } from './tenant-quotas.controller.js';
import { TenantsService } from './tenants.service.js';
import { OidcController } from '../sso/oidc.controller.js';
import { SsoSettingsController } from '../sso/sso.controller.js';
import { SsoService } from '../sso/sso.service.js';

/** Controllers and services of identity and access (auth, tenants, members, invitations, API keys, me, sessions). */
export const IDENTITY_CONTROLLERS = [
  AuthController,
  TenantsController,
  MembersController,
  InvitationsController,
  ReceivedInvitationsController,
  ApiKeysController,
  MeController,
  MySessionsController,
  MyMfaController,
  TenantSecurityController,
  OidcController,
  SsoSettingsController,
  TenantQuotasController,
];
export const IDENTITY_PROVIDERS = [
  TenantsService,
  MembersService,
  InvitationsService,
  ApiKeysService,
  SsoService,
  AccountService,
];
