import { enUS, type NLocale } from 'naive-ui';

/**
 * Naive UI's English texts with placeholders that say something: an empty field that takes
 * a number says so, instead of "Please Input"; an unset select reads "Choose…".
 */
export const CONSOLE_LOCALE: NLocale = {
  ...enUS,
  Input: { ...enUS.Input, placeholder: '' },
  InputNumber: { ...enUS.InputNumber, placeholder: 'a number' },
  Select: { ...enUS.Select, placeholder: 'Choose…' },
  Cascader: { ...enUS.Cascader, placeholder: 'Choose…' },
};
