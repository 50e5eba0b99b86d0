// A tiny controlled one-line text input (ink-text-input is not a dependency): the parent owns the value.
import React from 'react';
import { Text, useInput } from 'ink';

export interface TextFieldProps {
  value: string;
  onChange: (value: string) => void;
  onSubmit?: (value: string) => void;
  onCancel?: () => void;
  placeholder?: string;
  isFocused?: boolean;
}

export function TextField({
  value,
  onChange,
  onSubmit,
  onCancel,
  placeholder = '',
  isFocused = true,
}: TextFieldProps): React.JSX.Element {
  useInput(
    (input, key) => {
      if (key.return) onSubmit?.(value);
      else if (key.escape) onCancel?.();
      else if (key.backspace || key.delete) onChange(value.slice(0, -1));
      else if (key.ctrl && input === 'u') onChange('');
      else if (!key.ctrl && !key.meta && !key.tab && input) {
        // Typed fast or pasted, the text and its enter arrive in one read: take the text, then submit it.
        const line = /^([^\u0000-\u001f]*)[\r\n]/.exec(input);
        if (line) {
          onChange(value + line[1]);
          onSubmit?.(value + line[1]);
        } else if (!/[\u0000-\u001f]/.test(input)) onChange(value + input);
      }
    },
    { isActive: isFocused },
  );
  return (
    <Text>
      {value.length > 0 ? value : <Text dimColor>{placeholder}</Text>}
      {isFocused ? <Text inverse> </Text> : null}
    </Text>
  );
}
