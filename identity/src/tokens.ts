/** DI tokens of identity's routes: the control plane and the login throttle the app gives them. */
export const CONTROL_PLANE = Symbol('ControlPlane');
export const LOGIN_THROTTLE = Symbol('LoginThrottle');
/** DI token of single sign-on's settings (`SsoOptions`) the app gives. */
export const SSO_OPTIONS = Symbol('SsoOptions');
