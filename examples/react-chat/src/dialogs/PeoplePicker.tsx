import type { ReactNode } from 'react';

/** Checkboxes of people, by id; `picked` is the ids ticked. */
export function PeoplePicker({
  legend,
  people,
  picked,
  onChange,
}: {
  legend: string;
  people: ReadonlyArray<{ id: string; name: string | null }>;
  picked: string[];
  onChange: (picked: string[]) => void;
}): ReactNode {
  return (
    <fieldset className="dialog-people">
      <legend>{legend}</legend>
      {people.map((person) => (
        <label key={person.id} className="dialog-person">
          <input
            type="checkbox"
            checked={picked.includes(person.id)}
            onChange={(event) => onChange(event.target.checked ? [...picked, person.id] : picked.filter((id) => id !== person.id))}
          />
          {person.name ?? person.id}
        </label>
      ))}
    </fieldset>
  );
}
